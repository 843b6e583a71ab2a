import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (name: string) => readFileSync(join(root, name), 'utf8');

describe('packaging', () => {
  const metadata = parse(read('metadata.yaml')) as { data: Record<string, unknown> };
  const dockerfile = read('Dockerfile');
  const pkg = JSON.parse(read('package.json')) as { version: string; license: string };

  it('tags the image with the package version, in metadata.yaml and the Dockerfile alike', () => {
    expect(metadata.data.dockerImageTag).toBe(pkg.version);
    expect(dockerfile).toContain(`ARG VERSION=${pkg.version}`);
    expect(dockerfile).toContain(`io.airbyte.name="${String(metadata.data.dockerRepository)}"`);
    expect(dockerfile).toContain('io.airbyte.version="${VERSION}"');
    expect(metadata.data.license).toBe(pkg.license);
  });

  it('gives AIRBYTE_ENTRYPOINT exactly the ENTRYPOINT command and runs as a non-root user', () => {
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(/^ENV AIRBYTE_ENTRYPOINT="(.*)"$/m.exec(dockerfile)![1]).toBe(entrypoint.join(' '));
    const user = /^USER (\S+)$/m.exec(dockerfile)![1]!;
    expect(user.split(':')[0]).not.toMatch(/^(0|root)$/);
  });
});
