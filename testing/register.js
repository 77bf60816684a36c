'use strict';
// Add 'cdk8s-secured-postgres/testing/register' to jest's setupFilesAfterEnv to get
// toAllowTraffic / toDenyTraffic in every test file.
require('../lib/src/testing/index.js').installCiliumMatchers();
