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
	type result struct {
		Numbers int `json:"numbers"`
		Known   int `json:"known"`
		Rows    int `json:"rows"`
		Calls   int `json:"calls"`
	}
	var res result
	err := g.inTx(ctx, func(tx *store.Tx, loc *locate.Locator) error {
		nums, err := g.numberArgs(args, nil)
		if err != nil {
			return err
		}
		for _, n := range nums {
			f, err := tx.Forget(ctx, n.Key, g.now)
			if err != nil {
				return err
			}
			res.Numbers++
			if f.Known {
				res.Known++
			}
			res.Rows += f.Rows
			res.Calls += f.Calls
		}
		return nil
	})
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, g.db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Checkpoint(ctx); err != nil {
		return err
	}
	if g.json {
		return writeJSON(g.stdout, res)
	}
	g.summaryf("%d numbers forgotten (%d were in the database): %d rows erased, %d calls\n", res.Numbers, res.Known, res.Rows, res.Calls)
	return nil
}
