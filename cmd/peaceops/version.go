package main

import (
	"context"
	"fmt"
	"runtime"
)

func runVersion(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "version", "")
	if err := parse(env, fs, args); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "peaceops %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
