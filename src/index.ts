export * from './policy';
export * from './target';
export * from './secured-postgres';
export * from './pooler';
