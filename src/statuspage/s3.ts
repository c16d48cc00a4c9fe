/**
 * The static export's bucket: S3 `PutObject` through the AWS SDK, for any
 * S3-compatible store (AWS, MinIO, R2, ...). Path-style addressing: the
 * configured URL is `https://endpoint/bucket[/prefix]`. Without keys in the
 * configuration, the SDK's default chain finds credentials.
 */
import { awsClientConfig, lazySdk } from '../channels/aws.ts';

export interface S3Target {
  url: string;
  region: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

export interface S3Bucket {
  /** PUTs one object; throws with S3's error code and message on failure. */
  put(key: string, body: Buffer, contentType: string, cacheControl: string): Promise<void>;
  close(): void;
}

export function openBucket(target: S3Target): S3Bucket {
  const url = new URL(target.url);
  const [bucket = '', ...prefix] = url.pathname.split('/').filter(Boolean);
  if (!bucket) throw new Error(`No bucket in ${target.url}: write https://endpoint/bucket[/prefix]`);
  const s3 = lazySdk(
    () => import('@aws-sdk/client-s3'),
    (sdk) =>
      new sdk.S3Client({
        ...awsClientConfig({
          region: target.region,
          endpoint: url.origin,
          accessKeyId: target.accessKeyId,
          secretAccessKey: target.secretAccessKey,
          timeoutMs: 15_000,
        }),
        forcePathStyle: true,
        // Checksums only where S3 requires them: not every S3-compatible store takes the newer ones.
        requestChecksumCalculation: 'WHEN_REQUIRED',
      }),
  );
  return {
    async put(key, body, contentType, cacheControl) {
      const { sdk, client } = await s3.get();
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: [...prefix, key].join('/'),
          Body: body,
          ContentType: contentType,
          CacheControl: cacheControl,
        }),
      );
    },
    close: () => void s3.close(),
  };
}
