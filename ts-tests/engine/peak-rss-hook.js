/**
 * Preloaded (`node -r`) into a converter a test runs: at exit, writes the
 * process's peak resident memory (VmHWM, in kB) to the file $PEAK_RSS_FILE.
 */
const fs = require('fs');

process.on('exit', () => {
  const status = fs.readFileSync('/proc/self/status', 'utf-8');
  fs.writeFileSync(process.env.PEAK_RSS_FILE, /VmHWM:\s+(\d+)/.exec(status)[1]);
});
