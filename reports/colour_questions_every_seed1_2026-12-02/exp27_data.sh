set -euo pipefail
export CALICO_TEXT_MODEL=/work/main/tokenizers/text/calico_text.model
cd /tmp/exp27
c=./calico; out=data
date
$c collect --out=$out --episodes=50 --noise=0.5 --task=mujoco/cartpole_balance,mujoco/cartpole_swingup,mujoco/pendulum_swingup,mujoco/reacher_easy,mujoco/reacher_hard,mujoco/point_mass_easy
$c collect --out=$out --episodes=50 --append --task=mujoco/acrobot_swingup,mujoco/cheetah_run
$c collect --out=$out --episodes=100 --noise=0.1 --append --task=arcade/breakout_pixels,arcade/space_invaders_pixels,arcade/asterix_pixels,arcade/seaquest_pixels
$c collect --out=$out --episodes=30 --noise=0.1 --append --task=arcade/freeway_pixels
date
$c scenes --out=$out --append --episodes=4000 --kind=mixed --colour_working=shape_colour_lookup --colour_questions=every
$c scenes --out=$out --append --episodes=6000 --kind=vqa --first_seed=20000 --colour_working=shape_colour_lookup --colour_questions=every
date
