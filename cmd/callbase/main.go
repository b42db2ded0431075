// Command callbase keeps telephone-sales calling bases clean.
package main

import (
	"os"

	"github.com/callbase/callbase/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
