export * from './access-target';
export * from './access-client';
export * from './kplus-selectors';
export * from './access-grant';
export * from './grant-registry';
export * from './namespace-baseline';
