// Command gendefault writes default.json, the embedded default policy
// already parsed and checked, so that runsc-ai create does not parse YAML
// (about 1 ms) on every container start. Run by `go generate ./policies`.
package main

import (
	"encoding/json"
	"log"
	"os"

	"github.com/go-os-agent/runsc-ai/policies"
)

func main() {
	p, err := policies.Parse(policies.DefaultName, policies.DefaultYAML())
	if err != nil {
		log.Fatal(err)
	}
	b, err := json.MarshalIndent(p, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("default.json", append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}
