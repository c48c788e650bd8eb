#!/usr/bin/env node
// The `ravine` command: `ravine race ...` (what `npm start` runs). One command today; the dispatcher
// keeps room for more.
const USAGE = `usage: ravine <command> [options]

commands:
  race    races optimizers down pathological surfaces: tables and pictures (ravine race --help)`;

const [command, ...rest] = process.argv.slice(2);
if (command === 'race') {
  const { raceCommand } = await import('./race.js');
  await raceCommand(rest);
} else if (command === undefined || command === '-h' || command === '--help') {
  process.stdout.write(`${USAGE}\n`);
} else {
  process.stderr.write(`ravine: unknown command '${command}' (commands: race)\n`);
  process.exit(2);
}
