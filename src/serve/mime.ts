import { extname } from 'node:path';

/**
 * Content types of the static file server, by extension. A short built-in table (no dependency):
 * the types a website serves. Anything else is application/octet-stream.
 */
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.rss': 'application/rss+xml',
  '.atom': 'application/atom+xml',
  '.yaml': 'text/yaml',
  '.yml': 'text/yaml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.bmp': 'image/bmp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.ogv': 'video/ogg',
  '.mov': 'video/quicktime',
};

/** Types worth gzipping (text and text-like formats); images, fonts and media are compressed already. */
export function isCompressible(type: string): boolean {
  return (
    type.startsWith('text/') ||
    /^application\/(json|manifest\+json|xml|rss\+xml|atom\+xml|wasm)$/.test(type) ||
    type === 'image/svg+xml' ||
    type === 'image/x-icon' ||
    type === 'image/bmp'
  );
}

/** The Content-Type header for a file name; text types carry `charset=utf-8`. */
export function contentType(file: string): string {
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const texty = type.startsWith('text/') || /^application\/(json|manifest\+json|xml)$/.test(type);
  return texty || type === 'image/svg+xml' ? `${type}; charset=utf-8` : type;
}

/** The bare media type of a Content-Type header value. */
export function mediaType(header: string): string {
  return header.split(';')[0]?.trim() ?? header;
}
