// `npm run demo`: lands with the demo-and-bench issue.
console.log('demo: not yet (see the "npm run demo / npm run bench" issue)');
