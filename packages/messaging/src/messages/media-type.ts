/** Content types by file extension; the lab never downloads media, so the URL is all it has. */
const BY_EXTENSION: ReadonlyMap<string, string> = new Map([
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['png', 'image/png'],
  ['gif', 'image/gif'],
  ['webp', 'image/webp'],
  ['bmp', 'image/bmp'],
  ['svg', 'image/svg+xml'],
  ['mp3', 'audio/mpeg'],
  ['m4a', 'audio/mp4'],
  ['ogg', 'audio/ogg'],
  ['amr', 'audio/amr'],
  ['wav', 'audio/wav'],
  ['mp4', 'video/mp4'],
  ['3gp', 'video/3gpp'],
  ['mov', 'video/quicktime'],
  ['webm', 'video/webm'],
  ['pdf', 'application/pdf'],
  ['vcf', 'text/vcard'],
  ['txt', 'text/plain'],
  ['csv', 'text/csv'],
  ['json', 'application/json'],
]);

const UNKNOWN = 'application/octet-stream';

export function guessContentType(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return UNKNOWN;
  }
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return UNKNOWN;
  return BY_EXTENSION.get(path.slice(dot + 1).toLowerCase()) ?? UNKNOWN;
}
