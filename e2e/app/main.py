from importlib.resources import files

print(files("app").joinpath("motd.txt").read_text().strip())
