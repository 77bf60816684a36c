export * from './policy';
export * from './target';
