export * from './policy';
export * from './target';
export * from './secured-postgres';
export * from './pooler';
export * from './access-grant';
export * from './namespace-baseline';
