package main

import (
	"testing"

	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// No command of runsc-ai's shadows another (a runsc command of the same
// name would be lost: runsc has `profile`, say).
func TestCommandNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for c := range allCommands(&node.Options{}) {
		if seen[c.Name()] {
			t.Errorf("two commands named %q", c.Name())
		}
		seen[c.Name()] = true
	}
	if !seen["profile"] || !seen["behaviour"] {
		t.Errorf("runsc's profile or runsc-ai's behaviour missing: %v", seen)
	}
}
