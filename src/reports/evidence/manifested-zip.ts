import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import yazl from 'yazl';

/**
 * A ZIP written as it streams out (yazl), which remembers every file's SHA-256 and ends with
 * `MANIFEST.sha256` in the format `sha256sum -c` reads: `<hex>  <path>` per line.
 */
export class ManifestedZip {
  private readonly zip = new yazl.ZipFile();
  private readonly digests: [string, string][] = [];
  private readonly pending: Promise<void>[] = [];
  /** Set when the archive's reader went away (the client disconnected): streamed files stop. */
  private closed = false;
  /** All entries carry this time, so the pack says when it was made, not when each file was zipped. */
  constructor(private readonly mtime: Date) {
    this.output.once('close', () => (this.closed = true));
  }

  get output(): Readable {
    return this.zip.outputStream as Readable;
  }

  addBuffer(path: string, content: Buffer | string): void {
    const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    this.digests.push([path, createHash('sha256').update(buffer).digest('hex')]);
    this.zip.addBuffer(buffer, path, { mtime: this.mtime });
  }

  /** A file produced as it is zipped (lines of text); its digest is known once it has all passed. */
  addLines(path: string, lines: AsyncIterable<string>): void {
    const hash = createHash('sha256');
    const entry = new PassThrough();
    const slot: [string, string] = [path, ''];
    this.digests.push(slot);
    this.zip.addReadStream(entry, path, { mtime: this.mtime });
    this.pending.push(
      (async () => {
        try {
          for await (const line of lines) {
            if (this.closed) return void entry.destroy();
            hash.update(line);
            // Wait while the reader is behind, unless it is gone: a download abandoned half way
            // must not leave this loop (and its source) waiting for ever.
            if (!entry.write(line)) await this.drained(entry);
          }
          slot[1] = hash.digest('hex');
          entry.end();
        } catch (error) {
          // A broken source must not yield a pack that looks whole: the ZIP stream fails with it.
          entry.destroy(error as Error);
          this.output.destroy(error as Error);
        }
      })(),
    );
  }

  private drained(entry: PassThrough): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        entry.off('drain', done);
        this.output.off('close', done);
        resolve();
      };
      entry.once('drain', done);
      this.output.once('close', done);
    });
  }

  /** Waits for the streamed files, adds the manifest, and ends the archive. */
  async finish(): Promise<void> {
    await Promise.all(this.pending);
    const manifest = this.digests.map(([path, digest]) => `${digest}  ${path}\n`).join('');
    this.zip.addBuffer(Buffer.from(manifest, 'utf8'), 'MANIFEST.sha256', { mtime: this.mtime });
    this.zip.end();
  }
}
