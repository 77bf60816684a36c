/**
 * What a policy says of itself (name, description, annotations) that the rules must then do:
 * the namespaces it speaks of, and whether it says its pods initiate nothing.
 */

const NS_WORD = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ANY_WORDS = ['any', 'all', 'every', 'other', 'another', 'different', 'each', 'cross', 'multiple'];
const SKIP_WORDS = ['same', 'own', 'this', 'that', 'its', 'the', 'a', 'policy', 'current', 'one', 'single', 'given', 'my', 'their', 'default-deny'];

/** Namespaces (or "any namespace") a policy's name, description or annotations speak of. */
export function claimedNamespaces(texts: unknown[]): { any: boolean; names: string[] } {
  let any = false;
  const names: string[] = [];
  const note = (w: string) => {
    const word = w.toLowerCase().replace(/^["'`]|["'`]$/g, '');
    if (ANY_WORDS.includes(word)) {
      any = true;
    } else if (!SKIP_WORDS.includes(word) && NS_WORD.test(word) && !names.includes(word)) {
      names.push(word);
    }
  };
  for (const t of texts) {
    if (typeof t !== 'string') {
      continue;
    }
    if (/\b(any|all|every|other|another|different|multiple|cross)[\s-]+namespaces?\b/i.test(t)) {
      any = true;
    }
    for (const m of t.matchAll(/\b(?:in|from|of|to|into)\s+(?:the\s+)?["'`]?([A-Za-z0-9][-A-Za-z0-9]*)["'`]?\s+namespace\b/g)) {
      note(m[1]);
    }
    for (const m of t.matchAll(/\bnamespace[\s:]+["'`]([A-Za-z0-9][-A-Za-z0-9]*)["'`]/g)) {
      note(m[1]);
    }
    for (const m of t.matchAll(/\b(?:in|from|of|to|into)\s+namespace\s+([a-z0-9][-a-z0-9]*)/g)) {
      note(m[1]);
    }
    // names such as allow-backend-namespace
    if (!/\s/.test(t)) {
      for (const m of t.matchAll(/(?:^|-)([a-z0-9]+)-namespaces?(?:-|$)/g)) {
        note(m[1]);
      }
    }
  }
  return { any, names };
}

/** Whether a description says the selected pods open no connections of their own. */
export function claimsNoEgress(text: string): boolean {
  if (!text) {
    return false;
  }
  return /\b(initiates?|opens?|makes?|starts?)\s+(no|nothing|none)\b/i.test(text)
    || /\b(no|deny|denies|block|blocks|blocked|denied)\s+(outbound|outgoing|egress)\b/i.test(text)
    || /\b(never|cannot|can't|may not|must not|does not|doesn't)\s+(initiate|open|make|start|connect)\b/i.test(text)
    || /\begress\s+(is\s+)?(denied|blocked|isolated)\b/i.test(text);
}
