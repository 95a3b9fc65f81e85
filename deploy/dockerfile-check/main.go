// dockerfile-check reads a Dockerfile with BuildKit's own parser and instruction reader (the first thing
// `docker build` does) and checks what a build would otherwise find only on a machine with a Docker engine:
//   - every instruction and flag is valid (unknown instruction, bad --mount, misplaced ARG …);
//   - every ARG a FROM line expands has a default;
//   - every COPY/ADD source taken from the build context exists in it and is not excluded by the
//     context's .dockerignore (a build fails with "not found" on either);
//   - every COPY --from names an earlier stage (or is an image reference).
//
// RUN steps are not run: what they do is checked by the tests of what they call.
//
// Usage: dockerfile-check [-context DIR] DOCKERFILE
// Exit 0 with a one-line summary, 1 with every problem on stderr, 2 on bad usage.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

func main() {
	contextDir := flag.String("context", ".", "build context directory")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-check [-context DIR] DOCKERFILE")
		os.Exit(2)
	}
	problems, summary, err := check(flag.Arg(0), *contextDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, p)
		}
		os.Exit(1)
	}
	fmt.Println(summary)
}

var argReference = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

func check(dockerfile, contextDir string) (problems []string, summary string, err error) {
	f, err := os.Open(dockerfile)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	ast, err := parser.Parse(f)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", dockerfile, err)
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", dockerfile, err)
	}
	ignored, err := dockerignore(contextDir)
	if err != nil {
		return nil, "", err
	}

	defaults := map[string]bool{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			defaults[kv.Key] = kv.Value != nil && *kv.Value != ""
		}
	}
	sources := 0
	for i, stage := range stages {
		for _, m := range argReference.FindAllStringSubmatch(stage.BaseName, -1) {
			if !defaults[m[1]] {
				problems = append(problems, fmt.Sprintf("FROM %s: ARG %s has no default before the first FROM", stage.BaseName, m[1]))
			}
		}
		for _, command := range stage.Commands {
			var paths []string
			from := ""
			switch c := command.(type) {
			case *instructions.CopyCommand:
				paths, from = c.SourcePaths, c.From
			case *instructions.AddCommand:
				for _, p := range c.SourcePaths {
					if !strings.Contains(p, "://") && !strings.HasPrefix(p, "git@") {
						paths = append(paths, p)
					}
				}
			default:
				continue
			}
			where := fmt.Sprintf("line %d, %s", command.Location()[0].Start.Line, command.Name())
			if from != "" {
				if !earlierStage(stages[:i], from) && !looksLikeImage(from) {
					problems = append(problems, fmt.Sprintf("%s --from=%s: no earlier stage of that name", where, from))
				}
				continue
			}
			for _, p := range paths {
				sources++
				if problem := contextSource(contextDir, p, ignored); problem != "" {
					problems = append(problems, fmt.Sprintf("%s %s: %s", where, p, problem))
				}
			}
		}
	}
	return problems, fmt.Sprintf("%s: %d stages, %d context sources present and not ignored", dockerfile, len(stages), sources), nil
}

func dockerignore(contextDir string) (*patternmatcher.PatternMatcher, error) {
	f, err := os.Open(filepath.Join(contextDir, ".dockerignore"))
	if os.IsNotExist(err) {
		return patternmatcher.New(nil)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf(".dockerignore: %w", err)
	}
	return patternmatcher.New(patterns)
}

// contextSource says what is wrong with one COPY/ADD source of the build context, or "" when it is there.
func contextSource(contextDir, source string, ignored *patternmatcher.PatternMatcher) string {
	rel := filepath.Clean(strings.TrimPrefix(source, "/"))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "outside the build context"
	}
	matches, err := filepath.Glob(filepath.Join(contextDir, rel))
	if err != nil {
		return err.Error()
	}
	if len(matches) == 0 {
		return "not found in the build context"
	}
	kept := 0
	for _, m := range matches {
		r, _ := filepath.Rel(contextDir, m)
		if r == "." {
			kept++
			continue
		}
		excluded, err := ignored.MatchesOrParentMatches(filepath.ToSlash(r))
		if err != nil {
			return err.Error()
		}
		if !excluded {
			kept++
		}
	}
	if kept == 0 {
		return "excluded by .dockerignore"
	}
	return ""
}

func earlierStage(stages []instructions.Stage, name string) bool {
	for i, s := range stages {
		if strings.EqualFold(s.Name, name) || fmt.Sprint(i) == name {
			return true
		}
	}
	return false
}

// An image reference has a registry, a path, a tag or a digest; a bare word is a stage name.
func looksLikeImage(ref string) bool {
	return strings.ContainsAny(ref, ":/@.")
}
