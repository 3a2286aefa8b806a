// Preloaded into a child process (`--require`): at exit, writes the paths of the CommonJS
// modules it loaded (Node's module cache, which also holds those ES modules imported) to the
// file named by CCPROXY_TEST_MODULES_FILE, one a line.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.CCPROXY_TEST_MODULES_FILE, Object.keys(require.cache).join('\n'));
});
