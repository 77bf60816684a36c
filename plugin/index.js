'use strict';
// `package: ./node_modules/cdk8s-secured-postgres/plugin` in cdk8s.yaml `validations:`.
module.exports = require('../lib/src/plugin/index.js');
