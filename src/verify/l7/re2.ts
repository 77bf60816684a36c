/**
 * RE2 (Go `regexp` syntax), as Envoy's `safe_regex` applies it to HTTP rules: translated into an
 * anchored JavaScript RegExp that matches the whole input (semantics reference §9.2).
 */

export interface CompiledRegex {
  /** Undefined when the pattern is not valid RE2 (or cannot be translated). */
  readonly re?: RegExp;
  readonly error?: string;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const JS_SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
const SIMPLE_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'b', 'B', 'n', 'r', 't', 'f', 'v']);

function escapeLiteral(ch: string): string {
  return JS_SYNTAX.has(ch) || ch === '-' ? `\\${ch}` : ch;
}

/**
 * Translates an RE2 pattern (Go `regexp` syntax) into an anchored JavaScript RegExp that
 * matches the whole input, like Envoy's `safe_regex`.
 */
export function compileRe2(pattern: string): CompiledRegex {
  let flags = '';
  let p = String(pattern);
  // leading flag group (?i) / (?s) / (?is)
  const lead = /^\(\?([imsU]+)\)/.exec(p);
  if (lead) {
    if (lead[1].includes('U')) return { error: 'ungreedy flag (?U) is not supported by the verifier' };
    for (const f of lead[1]) if (!flags.includes(f)) flags += f;
    p = p.slice(lead[0].length);
  }
  let out = '';
  let needU = false;
  let i = 0;
  let depth = 0;
  const n = p.length;
  const translateEscape = (inClass: boolean): string | undefined => {
    // p[i] === '\\'
    const c = p[i + 1];
    if (c === undefined) return undefined;
    if (c === 'Q') {
      const end = p.indexOf('\\E', i + 2);
      const lit = end >= 0 ? p.slice(i + 2, end) : p.slice(i + 2);
      i = end >= 0 ? end + 2 : n;
      return [...lit].map((ch) => escapeLiteral(ch)).join('');
    }
    if (c === 'A' && !inClass) {
      i += 2;
      return '^';
    }
    if (c === 'z' && !inClass) {
      i += 2;
      return '$(?![\\s\\S])';
    }
    if (c === 'C') {
      i += 2;
      return '[\\s\\S]';
    }
    if (c === 'a') {
      i += 2;
      return '\\x07';
    }
    if (c === 'p' || c === 'P') {
      needU = true;
      if (p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        if (end < 0) return undefined;
        const name = p.slice(i + 3, end);
        i = end + 1;
        return `\\${c}{${name.length === 1 ? name : name.startsWith('^') ? name.slice(1) : `Script=${name}`}}`;
      }
      const name = p[i + 2];
      if (!name) return undefined;
      i += 3;
      return `\\${c}{${name}}`;
    }
    if (c === 'x') {
      if (p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        if (end < 0) return undefined;
        const hex = p.slice(i + 3, end);
        if (!/^[0-9a-fA-F]+$/.test(hex)) return undefined;
        i = end + 1;
        needU = true;
        return `\\u{${hex}}`;
      }
      const hex = p.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      i += 4;
      return `\\x${hex}`;
    }
    if (/[0-7]/.test(c)) {
      // octal: \0nn or \nnn (RE2 does not support backreferences)
      const m = /^[0-7]{1,3}/.exec(p.slice(i + 1));
      if (!m || (c !== '0' && m[0].length < 2)) return undefined;
      i += 1 + m[0].length;
      return `\\x${parseInt(m[0], 8).toString(16).padStart(2, '0')}`;
    }
    if (SIMPLE_ESCAPES.has(c)) {
      if (inClass && (c === 'b' || c === 'B')) return undefined;
      i += 2;
      return `\\${c}`;
    }
    if (/[A-Za-z0-9]/.test(c)) return undefined; // unknown escape: invalid in Go
    i += 2;
    return escapeLiteral(c);
  };

  while (i < n) {
    const ch = p[i];
    if (ch === '\\') {
      const t = translateEscape(false);
      if (t === undefined) return { error: `invalid escape in ${JSON.stringify(pattern)}` };
      out += t;
      continue;
    }
    if (ch === '[') {
      let cls = '[';
      i++;
      if (p[i] === '^') {
        cls += '^';
        i++;
      }
      let first = true;
      let closed = false;
      while (i < n) {
        const c = p[i];
        if (c === ']' && !first) {
          closed = true;
          i++;
          break;
        }
        first = false;
        if (c === '[' && p[i + 1] === ':') {
          const end = p.indexOf(':]', i + 2);
          if (end < 0) return { error: `invalid character class in ${JSON.stringify(pattern)}` };
          let name = p.slice(i + 2, end);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const body = POSIX_CLASSES[name];
          if (!body) return { error: `invalid character class range [:${name}:]` };
          if (neg) return { error: 'negated POSIX classes are not supported by the verifier' };
          cls += body;
          i = end + 2;
          continue;
        }
        if (c === '\\') {
          const t = translateEscape(true);
          if (t === undefined) return { error: `invalid escape in ${JSON.stringify(pattern)}` };
          cls += t;
          continue;
        }
        if (c === '[' || c === ']' || c === '/') {
          cls += `\\${c}`;
          i++;
          continue;
        }
        cls += c;
        i++;
      }
      if (!closed) return { error: `missing closing ] in ${JSON.stringify(pattern)}` };
      out += cls + ']';
      continue;
    }
    if (ch === '(') {
      if (p[i + 1] === '?') {
        if (p[i + 2] === ':') {
          out += '(?:';
          i += 3;
        } else if (p[i + 2] === 'P' && p[i + 3] === '<') {
          out += '(?<';
          i += 4;
        } else if (p[i + 2] === '<') {
          out += '(?<';
          i += 3;
        } else {
          return { error: `unsupported group syntax in ${JSON.stringify(pattern)}` };
        }
      } else {
        out += '(';
        i++;
      }
      depth++;
      continue;
    }
    if (ch === ')') {
      depth--;
      if (depth < 0) return { error: `unexpected ) in ${JSON.stringify(pattern)}` };
      out += ')';
      i++;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?') {
      // Go rejects a repetition operator without an operand and nested repetitions like a**
      const prev = out.slice(-1);
      if (out === '' || prev === '(' || prev === '|' || (prev === ':' && out.endsWith('(?:'))) {
        return { error: `missing argument to repetition operator: \`${ch}\`` };
      }
      out += ch;
      i++;
      if (p[i] === '?') {
        out += '?';
        i++;
      }
      if (p[i] === '*' || p[i] === '+' || (p[i] === '?' && ch !== '?')) {
        return { error: `invalid nested repetition operator: \`${ch}${p[i]}\`` };
      }
      continue;
    }
    if (ch === '/') {
      out += '\\/';
      i++;
      continue;
    }
    out += ch;
    i++;
  }
  if (depth !== 0) return { error: `missing closing ) in ${JSON.stringify(pattern)}` };
  try {
    return { re: new RegExp(`^(?:${out})$`, flags + (needU ? 'u' : '')) };
  } catch (e: any) {
    return { error: `cannot translate ${JSON.stringify(pattern)}: ${e && e.message ? e.message : e}` };
  }
}

// HTTP rules are matched once per request and rule: each pattern is translated once (the
// gateway-demo scenario's HTTP flows, 200 runs: 10-40 % slower without; the run varies).
const regexCache = new Map<string, CompiledRegex>();

/** The compiled form of a pattern. */
export function re2(pattern: string): CompiledRegex {
  let c = regexCache.get(pattern);
  if (!c) {
    c = compileRe2(pattern);
    regexCache.set(pattern, c);
  }
  return c;
}

/** Full-match of an RE2 pattern; invalid patterns match nothing. */
export function re2FullMatch(pattern: string, value: string): boolean {
  const c = re2(pattern);
  return c.re ? c.re.test(value) : false;
}
