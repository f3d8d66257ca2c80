package main

import (
	"flag"
	"io"

	"gvisor.dev/gvisor/runsc/config"
)

// shadowFlag stands in for a flag registered elsewhere: it accepts a value
// without storing it, and is boolean exactly when the original is.
type shadowFlag struct{ isBool bool }

func (shadowFlag) String() string     { return "" }
func (shadowFlag) Set(string) error   { return nil }
func (s shadowFlag) IsBoolFlag() bool { return s.isBool }

// globalArgs parses the global flags the way runsc's own parsing will, on a
// private flag set (flag.CommandLine must stay untouched for cli.Run), and
// returns the subcommand name and whether --version was given. ok is false
// when the flags do not parse; runsc then reports that itself.
func globalArgs(args []string) (subcommand string, version bool, ok bool) {
	fs := flag.NewFlagSet("runsc-ai", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	config.RegisterFlags(fs)
	flag.CommandLine.VisitAll(func(f *flag.Flag) { // cli's own (log-fd, …)
		b, _ := f.Value.(interface{ IsBoolFlag() bool })
		fs.Var(shadowFlag{isBool: b != nil && b.IsBoolFlag()}, f.Name, "")
	})
	for _, name := range []string{"help", "h"} {
		fs.Var(shadowFlag{isBool: true}, name, "")
	}
	v := fs.Bool("version", false, "")
	if err := fs.Parse(args); err != nil {
		return "", false, false
	}
	return fs.Arg(0), *v, true
}
