"""Word lists shared by the rule-based extractors."""

from __future__ import annotations

from claimwire import vocabulary

PERSON_NOUNS = frozenset(
    """
man men woman women boy boys girl girls person people persons child children kid kids teen teens
teenager teenagers toddler toddlers baby babies infant infants victim victims officer officers
deputy deputies trooper troopers agent agents suspect suspects gunman gunmen shooter shooters
student students resident residents driver drivers passenger passengers bystander bystanders
customer customers employee employees worker workers guard guards mother mothers father fathers
son sons daughter daughters brother brothers sister sisters wife husband girlfriend boyfriend
friend friends neighbor neighbors neighbour neighbours cousin cousins uncle aunt nephew niece
grandmother grandfather grandson granddaughter relative relatives member members soldier soldiers
fighter fighters civilian civilians militant militants troop troops force forces other others adult
adults male males female females juvenile juveniles youth youths individual individuals patron
patrons pedestrian pedestrians clerk clerks owner owners homeowner teacher teachers pastor
policeman policemen cop cops marine marines sailor sailors airman airmen personnel militiamen
militias militia tribesmen rebel rebels insurgent insurgents protester protesters protestors
worshipper worshippers worshippers guest guests partygoers partygoer spectator spectators fan fans
year-old year-olds gunmen attacker attackers assailant assailants robber robbers intruder
intruders teammate teammates classmate classmates coworker coworkers co-worker co-workers
firefighter firefighters paramedic paramedics security sheriff detective detectives sergeant
lieutenant captain corporal private veteran veterans servicemember servicemembers mercenaries
mercenary contractor contractors americans syrians iraqis afghans kurds russians palestinians
israelis journalists journalist reporter reporters doctor doctors nurse nurses inmate inmates
prisoner prisoners hostage hostages relative motorist motorists cyclist rider riders bouncer
bailiff bailiffs bandmate bandmates housemate housemates roommate roommates parent parents
grandparent grandparents grandchild grandchildren grandsons granddaughters nephews nieces aunts
uncles wives husbands girlfriends boyfriends fiance fiancee fiancé fiancée ex-wife ex-husband
ex-girlfriend ex-boyfriend dad dads mom moms stepfather stepmother stepdad step-dad stepmom
step-mom stepson stepdaughter stepsons stepdaughters stepbrother stepsister mother-in-law
father-in-law son-in-law daughter-in-law brother-in-law sister-in-law sibling siblings twin twins
spouse spouses partner partners companion companions acquaintance acquaintances gunwoman
first-grader student-athlete clubgoer clubgoers club-goer club-goers churchgoer churchgoers
senior seniors freshman sophomore junior newborn newborns preschooler preschoolers kindergartner
mom-to-be landlord tenant tenants caretaker caregiver babysitter nanny homeowners shopkeeper
cashier manager managers musician musicians singer singers rapper rappers
""".split()
)

#: Plural person nouns that do not end in "s".
PLURAL_PERSON_NOUNS = frozenset(
    """
men women children people police personnel militiamen gunmen policemen tribesmen grandchildren
airmen firemen
""".split()
)

#: Plural nouns that name two people.
PAIR_NOUNS = {"parents": 2, "grandparents": 2, "twins": 2, "couple": 2, "spouses": 2}

UNIT_NOUNS = frozenset(
    """
time times year years month months week weeks day days hour hours minute minutes second seconds
shots round rounds bullet bullets casing casings shell shells mile miles foot feet yard yards inch
inches kilometer kilometers kilometres km meter meters metres percent per dollars dollar cents
cent block blocks a.m p.m am pm a.m. p.m. o'clock point points game games car cars vehicle
vehicles home homes house houses gun guns rifle rifles handgun handguns weapon weapons count
counts charge charges shooting shootings incident incidents homicide homicides murder murders case
cases arrest arrests call calls pound pounds degree degrees street st avenue ave road rd drive dr
lane ln boulevard blvd court ct way place pl highway hwy circle parkway terrace floor floors story
stories jets jet aircraft drone drones tank tanks rocket rockets missile missiles strike strikes
airstrike airstrikes attack attacks grade caliber calibre mm millimeter gauge magnum bail bond
deaths fatalities injuries wounds wound percent% billion million thousand hundred victim's
""".split()
)

CONTEXT_BEFORE_REJECT = frozenset(
    """
route highway interstate i page no no. number room apartment apt suite channel exit chapter section
flight unit station district ward precinct grade age aged ages sr us hwy box pier gate lot level
article amendment bill proposition prop item code rule volume vol issue episode season psalm
game week round district beat zone sector area block p.o. apt. ste. ch. pp. pg. fig. figure table
""".split()
)

MONTHS = frozenset((*vocabulary.MONTHS, *vocabulary.MONTH_ABBREVIATIONS, *(a + "." for a in vocabulary.MONTH_ABBREVIATIONS)))

#: animals: a figure that counts them ("injuring one of the family dogs", "300 cattle drowned") counts no people
ANIMAL_NOUNS = frozenset(
    """
dog dogs puppy puppies cat cats kitten kittens pet pets horse horses pony ponies cow cows cattle calf calves
livestock sheep goat goats pig pigs hog hogs chicken chickens hen hens poultry bird birds duck ducks
donkey donkeys mule mules camel camels buffalo buffaloes oxen animal animals deer elephant elephants
fish
""".split()
)
#: things a casualty verb takes figuratively ("the bill would kill 3,000 jobs", "hurt 200 businesses"): no people
THING_NOUNS = frozenset(
    """
job jobs bill bills plan plans deal deals project projects proposal proposals measure measures amendment amendments
program programs programme programmes talk talks hope hopes chance chances idea ideas story stories rumor rumors
rumour rumours business businesses company companies firm firms store stores shop shops brand brands
sale sales profit profits share shares point points percent seat seats vote votes
""".split()
)

#: Bare plural or collective heads that can speak without a determiner ("police said").
COLLECTIVES = frozenset(
    """
police officials authorities investigators detectives deputies officers troopers agents prosecutors
witnesses residents neighbors neighbours relatives friends family families parents students teachers
doctors nurses experts analysts critics supporters opponents protesters organizers organisers
lawmakers legislators democrats republicans aides advisers advisors officers firefighters paramedics
sources officials staff workers employees members leaders people organizers spokespeople survivors
victims customers sheriffs rescuers medics soldiers troops forces militants rebels fighters
""".split()
)
