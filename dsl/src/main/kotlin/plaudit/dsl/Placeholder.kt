package plaudit.dsl
