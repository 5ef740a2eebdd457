module badinput/hello

go 1.19
