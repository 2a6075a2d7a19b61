/**
 * Maintenance mode: how every documented 503 is produced for real. The marker file makes the phase
 * refuse traffic; readiness turning 503 (then 200 again) shows the switch took effect.
 */
const { writeFileSync, rmSync } = require('node:fs');
const { call, waitFor } = require('./lib.cjs');

const maintenanceFile = process.env.MAINTENANCE_FILE;
if (!maintenanceFile) throw new Error('the Dredd hooks need MAINTENANCE_FILE');

async function enterMaintenance() {
  writeFileSync(maintenanceFile, 'contract test\n');
  await waitFor('the phase reports maintenance', async () => (await call('GET', '/health/ready')).status === 503);
}

async function leaveMaintenance() {
  rmSync(maintenanceFile, { force: true });
  await waitFor('the phase is ready again', async () => (await call('GET', '/health/ready')).status === 200);
}

function clearMaintenance() {
  rmSync(maintenanceFile, { force: true });
}

module.exports = { enterMaintenance, leaveMaintenance, clearMaintenance };
