import '../lib/src/testing/index';
