'use strict';
// `cdk8s-secured-postgres/testing`: the jest matchers (see README, "Jest matchers").
module.exports = require('../lib/src/testing/index.js');
