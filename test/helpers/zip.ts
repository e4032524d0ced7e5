import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yauzl from 'yauzl';

/** Unzips with yauzl (a maintained reader), so the test does not depend on an `unzip` binary. */
export function unzipTo(zip: Buffer, folder: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const names: string[] = [];
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, archive) => {
      if (error || !archive) return reject(error);
      archive.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        archive.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const target = join(folder, entry.fileName);
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, Buffer.concat(chunks));
            archive.readEntry();
          });
        });
      });
      archive.on('end', () => resolve(names));
      archive.on('error', reject);
      archive.readEntry();
    });
  });
}
