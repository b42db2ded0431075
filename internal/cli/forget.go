package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/callbase/callbase/internal/locate"
	"github.com/callbase/callbase/internal/store"
)

func newForgetCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "forget NUMBER...",
		Short: "Erase a person's data, keeping only a keyed hash of the number",
		Long: `forget erases the numbers and the personal data around them from the database
file itself: the fields of every row they were found in (names and all), their
calls with their notes, consent records and events. Erased bytes are
overwritten and the write-ahead log is emptied afterwards. Only a keyed hash of
each number stays (HMAC-SHA256 under a secret of this database), so a base that
brings the number back later is recognised: its rows are left out and counted
as suppressed, and the number is never callable.`,
		Args: usageArgs(1, "at least one NUMBER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runForget(cmd.Context(), g, args)
		},
	}
}

func runForget(ctx context.Context, g *globals, args []string) error {
	// A list an interrupted export left waiting may carry the person.
	if err := undoInterrupted(ctx, g, ""); err != nil {
		return err
	}
	var res store.Forgotten
	err := g.inTx(ctx, func(tx *store.Tx, loc *locate.Locator) error {
		nums, err := g.numberArgs(args, nil)
		if err != nil {
			return err
		}
		keys := make([]uint64, len(nums))
		for i, n := range nums {
			keys[i] = n.Key
		}
		res, err = tx.Forget(ctx, keys, g.now)
		return err
	})
	if err != nil {
		return err
	}
	st, err := store.OpenExisting(ctx, g.db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Compact(ctx); err != nil {
		return err
	}
	if g.json {
		return writeJSON(g.stdout, map[string]any{"forgotten": len(args), "known": res.Numbers, "rows": res.Rows, "calls": res.Calls})
	}
	g.summaryf("%d numbers forgotten (%d were in the database): %d rows erased, %d calls\n", len(args), res.Numbers, res.Rows, res.Calls)
	g.summaryf("keep %s with the database (and its backups): without it forgotten numbers cannot be recognised\n", store.KeyPath(g.db))
	return nil
}
