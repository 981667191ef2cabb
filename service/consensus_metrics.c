/* consensus_metrics.c - consensus state as Prometheus gauges (see
 * consensus_metrics.h). Values are the chain's integers: reputation stays
 * in ppb (the dashboard divides by 1e9). */
#include "service/consensus_metrics.h"

#include "node/call.h"

#include <sqlite3.h>
#include <stdio.h>

/* One family from a query whose rows are (subnet, [uid,] value). */
static void render_query(struct nm_db *db, struct nm_prom_text *t, const char *sql,
                         const char *name, const char *help, int value_col)
{
    nm_prom_family(t, name, "gauge", help);
    sqlite3_stmt *st = nm_db_stmt(db, sql);
    if (!st)
        return;
    char labels[64];
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (value_col == 2)
            snprintf(labels, sizeof labels, "subnet=\"%d\",uid=\"%d\"",
                     sqlite3_column_int(st, 0), sqlite3_column_int(st, 1));
        else
            snprintf(labels, sizeof labels, "subnet=\"%d\"", sqlite3_column_int(st, 0));
        nm_prom_sample(t, name, labels, (double)sqlite3_column_int64(st, value_col));
    }
    sqlite3_reset(st);
}

/* The newest epoch summary of each subnet. */
#define LAST_EPOCH                                                                                 \
    " FROM epochs e WHERE e.epoch = (SELECT max(epoch) FROM epochs x WHERE x.subnet = e.subnet)"

/* Each family: its query (rows of subnet, [uid,] value) and help. */
static const struct {
    const char *sql, *name, *help;
    int value_col; /* 2: labelled by subnet and uid; 1: by subnet */
} families[] = {
    {"SELECT subnet, uid, reputation FROM neuron_stats WHERE role = 1",
     "neuromesh_consensus_reputation_ppb",
     "Validator reputation after the last epoch, in parts per 10^9.", 2},
    {"SELECT subnet, submitted" LAST_EPOCH, "neuromesh_consensus_weight_submissions",
     "Validators that submitted weights in the subnet's last epoch.", 1},
    {"SELECT subnet, validators" LAST_EPOCH, "neuromesh_consensus_validators",
     "Validators registered in the subnet's last epoch.", 1},
    {"SELECT subnet, outliers" LAST_EPOCH, "neuromesh_consensus_outliers",
     "Validators flagged as outliers in the subnet's last epoch.", 1},
    {"SELECT subnet, suspects" LAST_EPOCH, "neuromesh_consensus_collusion_suspects",
     "Validators suspected of collusion in the subnet's last epoch.", 1},
    {"SELECT subnet, confirmed" LAST_EPOCH, "neuromesh_consensus_collusion_confirmed",
     "Validators with collusion confirmed in the subnet's last epoch.", 1},
    {"SELECT subnet, epoch" LAST_EPOCH, "neuromesh_consensus_last_epoch",
     "The subnet's last processed epoch.", 1},
};

void nm_consensus_metrics_render(struct nm_db *db, struct nm_prom_text *t)
{
    _Static_assert(NM_ROLE_VALIDATOR == 1, "neuron_stats.role: 1 is a validator");
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        render_query(db, t, families[i].sql, families[i].name, families[i].help,
                     families[i].value_col);
}
