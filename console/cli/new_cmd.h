/* new_cmd.h - `neuromesh new miner|validator NAME [--lang c|python|rust]`
 * (SDK-002): writes a project from the templates of sdk/templates, which
 * the build compiles in (scripts/templates-to-c.py). */
#ifndef NM_NEW_CMD_H
#define NM_NEW_CMD_H

#include <stddef.h>

/* One file of a template directory: dir ("python-miner"), path inside it
 * ("{{cookiecutter.project_name}}/model.py"), mode, content. */
struct nm_template_file {
    const char *dir;
    const char *path;
    unsigned mode;
    const char *text;
};
extern const struct nm_template_file nm_template_files[];
extern const size_t nm_template_file_count;

/* argv[0] is "new". Exit status: 0, 1 (could not write), 2 (usage). */
int nm_new_main(int argc, char **argv);

#endif
