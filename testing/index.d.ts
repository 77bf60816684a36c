export * from '../lib/src/testing/index';
