// `npm run bench`: lands with the demo-and-bench issue.
console.log('bench: not yet (see the "npm run demo / npm run bench" issue)');
