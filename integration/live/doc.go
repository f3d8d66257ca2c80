// Package live holds the live loop's end-to-end tests: real sandboxes with
// the Sentry tap, a real `runsc-ai agent` process.
package live
