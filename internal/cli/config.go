package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/callbase"
	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/settings"
	"github.com/callbase/callbase/internal/store"
)

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show or change the thresholds kept in the database",
	}
	get := &cobra.Command{
		Use:   "get [KEY]",
		Short: "Show one setting, or all of them with their defaults",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigGet(cmd.Context(), g, args)
		},
	}
	set := &cobra.Command{
		Use:     "set KEY VALUE",
		Short:   "Change a setting for everyone using the database",
		Example: "  callbase config set dead.unreachable_attempts 8",
		Args:    usageArgs(2, "a KEY and a VALUE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigSet(cmd.Context(), g, args[0], args[1])
		},
	}
	cmd.AddCommand(get, set)
	return cmd
}

func lookupSetting(name string) (settings.Setting, error) {
	s, ok := settings.Lookup(name)
	if !ok {
		var names []string
		for _, s := range settings.All {
			names = append(names, s.Name)
		}
		return s, callbase.Usagef("no setting %q\nTry: one of %v", name, names)
	}
	return s, nil
}

func runConfigGet(ctx context.Context, g *globals, args []string) error {
	list := settings.All
	if len(args) > 0 {
		list = nil
		for _, a := range args {
			s, err := lookupSetting(a)
			if err != nil {
				return err
			}
			list = append(list, s)
		}
	}
	// Reading creates no database: without one every setting is its default.
	st, err := store.OpenExisting(ctx, g.db)
	if errors.Is(err, store.ErrNoDatabase) {
		st = nil
	} else if err != nil {
		return err
	} else {
		defer st.Close()
	}
	type item struct {
		Key     string `json:"key"`
		Value   string `json:"value"`
		Default string `json:"default"`
		Help    string `json:"help"`
	}
	var items []item
	for _, s := range list {
		var (
			v  string
			ok bool
		)
		if st != nil {
			if v, ok, err = st.Setting(ctx, s.Name); err != nil {
				return err
			}
		}
		if !ok {
			v = s.Default
		}
		items = append(items, item{s.Name, v, s.Default, s.Help})
	}
	if g.json {
		return writeJSON(g.stdout, items)
	}
	for _, it := range items {
		if len(args) == 1 {
			fmt.Fprintln(g.stdout, it.Value)
			continue
		}
		fmt.Fprintf(g.stdout, "%-28s %-6s (default %s) %s\n", it.Key, it.Value, it.Default, it.Help)
	}
	return nil
}

func runConfigSet(ctx context.Context, g *globals, name, value string) error {
	s, err := lookupSetting(name)
	if err != nil {
		return err
	}
	if err := s.Check(value); err != nil {
		return callbase.Usagef("%v", err)
	}
	// Settings may come first, before any base: the database is made.
	err = g.inNewOrOldTx(ctx, func(tx *store.Tx, _ *locate.Locator) error {
		return tx.SetSetting(ctx, name, value)
	})
	if err != nil {
		return err
	}
	g.summaryf("%s = %s\n", name, value)
	return nil
}
