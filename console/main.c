/* main.c - the neuromesh program: dispatches to node, exec, key, console. */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "neuromesh: not built yet\n");
    return 1;
}
