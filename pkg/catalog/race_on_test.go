//go:build race

package catalog_test

// raceEnabled: the race detector slows the SDK's CPU work several times
// over, so wall-clock bounds are not checked under it.
const raceEnabled = true
