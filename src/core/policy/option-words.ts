/**
 * Option words (NX, STORE, BLOCK...) matched case-insensitively against string or byte
 * arguments without allocating: the safety and blocking checks scan arguments on every call.
 */

/**
 * A set of upper-case option words, matched case-insensitively against string or byte
 * arguments without allocating. Grouped by length, so that most arguments (values, numbers,
 * keys) are rejected by one array index.
 */
export class WordSet {
  private readonly byLength: (readonly string[] | undefined)[] = [];

  constructor(words: readonly string[]) {
    for (const word of words) {
      this.byLength[word.length] = [...(this.byLength[word.length] ?? []), word];
    }
  }

  has(arg: unknown): boolean {
    if (typeof arg === 'string') {
      const group = this.byLength[arg.length];
      if (group === undefined) return false;
      for (const word of group) {
        if (sameString(arg, word)) return true;
      }
      return false;
    }
    if (arg instanceof Uint8Array) {
      const group = this.byLength[arg.length];
      if (group === undefined) return false;
      for (const word of group) {
        if (sameBytes(arg, word)) return true;
      }
    }
    return false;
  }
}

/** Case-insensitive ASCII comparison with an upper-case word of the same length. */
function sameString(arg: string, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    if (upper(arg.charCodeAt(i)) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function sameBytes(arg: Uint8Array, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    if (upper(arg[i] ?? 0) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function upper(code: number): number {
  return code >= 97 && code <= 122 ? code - 32 : code;
}
