/**
 * The words of a stream as C++'s `std::cin >> word` reads them (split on
 * space, \t, \n, \v, \f, \r), yielded as soon as the whitespace after each
 * one arrives, so an interactive `nn` or `analogies` answers every query as it
 * is typed, in bounded memory however long the input.
 */
import { TextDecoder } from 'node:util';

const SPACE = /[ \t\n\v\f\r]+/;

export async function* streamWords(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
    const parts = pending.split(SPACE);
    // The last part may continue in the next chunk.
    pending = parts.pop() ?? '';
    for (const w of parts) if (w.length > 0) yield w;
  }
  pending += decoder.decode();
  for (const w of pending.split(SPACE)) if (w.length > 0) yield w;
}
