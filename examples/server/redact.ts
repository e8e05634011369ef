/**
 * Strips the directories of absolute paths from messages sent to clients
 * ("/srv/data/3f2a9c1e/train.txt:3: …" → "train.txt:3: …"): the server's
 * file layout is not the client's business.
 */
const ABSOLUTE_DIRS = /(?<![\w.~-])(?:[A-Za-z]:)?[/\\](?:[^\s/\\'"`:]+[/\\])+/g;

export function redactPaths(message: string): string {
  return message.replace(ABSOLUTE_DIRS, '');
}
