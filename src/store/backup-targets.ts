/**
 * Where scheduled backups go: a folder, or an S3-compatible bucket through
 * the AWS SDK (path-style, `https://endpoint/bucket[/prefix]`, as the static
 * export's). Each holds backups by name; the names sort by time, so the
 * newest are the last.
 */
import fs from 'node:fs';
import path from 'node:path';
import { awsClientConfig, lazySdk } from '../channels/aws.ts';

/** `crier-20261204T141500Z.backup.gz`: the instant the backup was taken. */
export const backupName = (at: Date) =>
  `crier-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}.backup.gz`;
const isBackupName = (name: string) => /^crier-\d{8}T\d{6}Z\.backup\.gz$/.test(name);

export interface BackupTarget {
  /** For logs: the folder, or the bucket's URL. */
  readonly where: string;
  /** Stores the finished file under `name`; a half-stored backup never carries a backup's name. */
  put(name: string, file: string): Promise<void>;
  /** The backups held, by name, oldest first. */
  list(): Promise<string[]>;
  remove(name: string): Promise<void>;
  close(): void;
}

export function folderTarget(dir: string): BackupTarget {
  return {
    where: dir,
    async put(name, file) {
      await fs.promises.mkdir(dir, { recursive: true });
      const partial = path.join(dir, `${name}.partial`);
      await fs.promises.copyFile(file, partial);
      await fs.promises.rename(partial, path.join(dir, name));
    },
    async list() {
      return (await fs.promises.readdir(dir).catch(() => [])).filter(isBackupName).sort();
    },
    remove: (name) => fs.promises.rm(path.join(dir, name), { force: true }),
    close: () => {},
  };
}

export interface BucketAccess {
  url: string;
  region: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

export function bucketTarget(access: BucketAccess): BackupTarget {
  const url = new URL(access.url);
  const [bucket = '', ...folders] = url.pathname.split('/').filter(Boolean);
  const prefix = folders.length > 0 ? `${folders.join('/')}/` : '';
  const s3 = lazySdk(
    () => import('@aws-sdk/client-s3'),
    (sdk) =>
      new sdk.S3Client({
        ...awsClientConfig({
          region: access.region,
          endpoint: url.origin,
          accessKeyId: access.accessKeyId,
          secretAccessKey: access.secretAccessKey,
          timeoutMs: 300_000,
        }),
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
      }),
  );
  return {
    where: access.url,
    async put(name, file) {
      const { sdk, client } = await s3.get();
      const { size } = await fs.promises.stat(file);
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: `${prefix}${name}`,
          Body: fs.createReadStream(file),
          ContentLength: size,
          ContentType: 'application/gzip',
        }),
      );
    },
    async list() {
      const { sdk, client } = await s3.get();
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) {
          const name = (o.Key ?? '').slice(prefix.length);
          if (isBackupName(name)) names.push(name);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return names.sort();
    },
    async remove(name) {
      const { sdk, client } = await s3.get();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}${name}` }));
    },
    close: () => void s3.close(),
  };
}
