/*  cli/main.c: the ticktree binary (placeholder while the runtime lands). */
#include <stdio.h>

int main(void)
{
    puts("ticktree");
    return 0;
}
