//go:build gendefault

package policies

import "github.com/go-os-agent/runsc-ai/llmkernel"

// defaultPolicy parses default.yaml: what the generator, built with the
// gendefault tag, writes into default_gen.go.
func defaultPolicy() llmkernel.Policy {
	p, err := Parse(DefaultName, defaultYAML)
	if err != nil {
		panic(err)
	}
	return p
}
