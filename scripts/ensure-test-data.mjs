#!/usr/bin/env node
// The codec and shape-inference suites check every model of the ONNX conformance data, which Debian ships as
// libonnx-testdata. Install it when missing and we can (root with apt), else say how, and fail.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const ONNX_TEST_DATA = process.env.ONNX_TEST_DATA ?? '/usr/include/onnx/backend/test/data';

if (!existsSync(ONNX_TEST_DATA)) {
  const canApt = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (canApt) {
    console.log('[test-data] installing the ONNX conformance data (Debian package libonnx-testdata)...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', 'libonnx-testdata'], { stdio: 'inherit', env });
  }
  if (!existsSync(ONNX_TEST_DATA)) {
    console.error(
      `[test-data] ${ONNX_TEST_DATA} is missing: install Debian's libonnx-testdata (sudo apt-get install libonnx-testdata)\n` +
        '  or point ONNX_TEST_DATA at a copy of onnx/backend/test/data.',
    );
    process.exit(1);
  }
}
