export * from '../lib/src/plugin/index';
