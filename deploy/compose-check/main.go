// compose-check loads a compose file with compose-go, the parser and validator `docker compose` itself
// uses, and prints the resolved project as JSON (like `docker compose config --format json`). It stands in
// for `docker compose config` where the Docker client has no compose plugin (issue 7: CI parses
// deploy/compose.yaml with no Docker engine).
//
// Usage: compose-check FILE [FILE...]   exit 0 and JSON on stdout, or exit 1 and the reason on stderr.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE [FILE...]")
		os.Exit(2)
	}
	opts, err := cli.NewProjectOptions(os.Args[1:], cli.WithOsEnv, cli.WithDotEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
