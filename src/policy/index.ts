export * from './selector';
export * from './peer';
export * from './port';
export * from './l7';
export * from './render';
export * from './policy';
