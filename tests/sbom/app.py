import copyleft
import vague

print(copyleft.GREETING, vague.GREETING, sep="\n")
