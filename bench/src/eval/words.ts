// Content words of a text, for the check that a paraphrase query shares no word with its products' titles.

// Function words that carry no product meaning; everything else counts.
const STOPWORDS = new Set(
  'a an the and or of for to in on at by with without from into onto my your its it i you me we our so that this these those is are be was were any some something someone while when where which who what how very almost no not up off on right'.split(
    ' ',
  ),
);

/** Lower-case NFC words of letters and digits, a plural "s" dropped, stopwords left out. */
export function contentWords(text: string): Set<string> {
  const words =
    text
      .normalize('NFC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  for (const w of words) {
    if (STOPWORDS.has(w)) continue;
    out.add(w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
  }
  return out;
}
