export * from './policy';
export * from './common';
export * from './access';
export * from './postgres';
