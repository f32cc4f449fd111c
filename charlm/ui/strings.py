"""Every string the UI shows, in English and Korean. Look up with `text(lang, key, **fmt)`."""

from __future__ import annotations

LANGUAGES = {"en": "English", "ko": "한국어"}

STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "charlm · temperature explorer", "ko": "charlm · 온도 탐색기"},
    "subtitle": {
        "en": "A character-level LSTM trained on Nietzsche writes one character at a time. "
        "Temperature decides how boldly it picks the next one.",
        "ko": "니체의 글로 학습한 문자 단위 LSTM이 한 글자씩 글을 씁니다. "
        "온도는 다음 글자를 얼마나 과감하게 고를지 정합니다.",
    },
    "explain_title": {"en": "What does temperature do?", "ko": "온도는 무엇을 하나요?"},
    "explain_body": {
        "en": "The model gives a probability $p_i$ to every character. Sampling at temperature "
        "$T$ reweights them as\n\n$$q_i \\propto p_i^{1/T} = \\exp(\\log p_i / T)$$\n\n"
        "- **T < 1** sharpens: likely characters get likelier; text turns safe and "
        "repetitive (T → 0 is *greedy*, always the top character).\n"
        "- **T = 1** samples the model as it is.\n"
        "- **T > 1** flattens: rare characters get a chance; the model invents words.\n\n"
        "Chollet's lesson found **T = 0.5** reads best. Move the slider and watch the "
        "gold bars (after reweighting) move away from the blue ones (the model).",
        "ko": "모델은 모든 글자에 확률 $p_i$를 줍니다. 온도 $T$로 샘플링하면 확률이 다음처럼 "
        "다시 계산됩니다.\n\n$$q_i \\propto p_i^{1/T} = \\exp(\\log p_i / T)$$\n\n"
        "- **T < 1**: 분포가 뾰족해집니다. 흔한 글자가 더 흔해져 글이 안전하지만 반복적입니다 "
        "(T → 0 은 항상 가장 높은 글자를 고르는 *탐욕적* 선택).\n"
        "- **T = 1**: 모델 그대로 샘플링합니다.\n"
        "- **T > 1**: 분포가 평평해집니다. 드문 글자도 뽑혀 없는 단어를 지어냅니다.\n\n"
        "Chollet의 실습에서는 **T = 0.5** 가 가장 읽기 좋았습니다. 슬라이더를 움직이며 "
        "금색 막대(재가중 후)가 파란 막대(모델)에서 멀어지는 모습을 보세요.",
    },
    "language": {"en": "Language", "ko": "언어"},
    "model": {"en": "Model", "ko": "모델"},
    "no_models": {
        "en": "No model found in {path}. Train one in the Train tab.",
        "ko": "{path} 에 모델이 없습니다. '학습' 탭에서 학습하세요.",
    },
    "unusable_models": {
        "en": "Model folders that cannot be used (broken files): {names}",
        "ko": "쓸 수 없는 모델 폴더 (파일 손상): {names}",
    },
    "model_error": {
        "en": "This model cannot be loaded: {error}",
        "ko": "이 모델을 불러올 수 없습니다: {error}",
    },
    "timeline": {"en": "Epoch timeline", "ko": "에포크 타임라인"},
    "timeline_help": {
        "en": "Generate with the weights saved after each training epoch.",
        "ko": "각 학습 에포크 뒤에 저장된 가중치로 생성합니다.",
    },
    "epoch": {"en": "Epoch", "ko": "에포크"},
    "temperature": {"en": "Temperature T", "ko": "온도 T"},
    "greedy": {"en": "Greedy (always the likeliest)", "ko": "탐욕적 선택 (항상 가장 높은 확률)"},
    "length": {"en": "Length (characters)", "ko": "길이 (글자 수)"},
    "rng_seed": {"en": "Random seed", "ko": "난수 시드"},
    "rng_help": {
        "en": "The same seed gives the same text.",
        "ko": "같은 시드는 같은 글을 만듭니다.",
    },
    "advanced": {"en": "Top-k / top-p", "ko": "Top-k / top-p"},
    "top_k": {"en": "Top-k (0 = off)", "ko": "Top-k (0 = 사용 안 함)"},
    "top_k_lowered": {
        "en": "Top-k {k} is more than this model's {size} characters; using {size}.",
        "ko": "Top-k {k} 는 이 모델의 글자 수 {size} 보다 큽니다. {size} 를 씁니다.",
    },
    "top_p": {"en": "Top-p nucleus (1.0 = off)", "ko": "Top-p 누클리어스 (1.0 = 사용 안 함)"},
    "seed_text": {
        "en": "Seed text (the model continues it)",
        "ko": "시작 글 (모델이 이어서 씁니다)",
    },
    "another_passage": {"en": "Another passage", "ko": "다른 구절"},
    "dropped": {
        "en": "Not in this model's alphabet, so left out: {chars}",
        "ko": "이 모델의 문자 집합에 없어 제외했습니다: {chars}",
    },
    "view": {"en": "View", "ko": "보기"},
    "tab_explore": {"en": "Explore", "ko": "탐색"},
    "tab_compare": {"en": "Compare temperatures", "ko": "온도 비교"},
    "tab_train": {"en": "Train", "ko": "학습"},
    "tab_neurons": {"en": "Neurons", "ko": "뉴런"},
    # the Neurons view
    "neurons_title": {
        "en": "Inside the LSTM: one cell at a time",
        "ko": "LSTM 들여다보기: 셀 하나씩",
    },
    "neurons_intro": {
        "en": "Each LSTM layer keeps a memory of hundreds of numbers, one per cell, updated "
        "after every character. Pick a cell and the text is coloured by its value after "
        "reading each character: purple below zero, orange above. Some cells learn one job, "
        "such as knowing you are inside parentheses.",
        "ko": "LSTM의 각 층은 셀마다 하나씩, 수백 개의 수로 된 기억을 가지고 글자를 읽을 때마다 "
        "고칩니다. 셀을 고르면 각 글자를 읽은 뒤의 값으로 글에 색이 칠해집니다: 0보다 작으면 "
        "보라, 크면 주황. 어떤 셀은 괄호 안에 있다는 것처럼 한 가지 일을 맡습니다.",
    },
    "neuron_source": {"en": "Text to read", "ko": "읽힐 글"},
    "source_generated": {"en": "the generated text", "ko": "생성된 글"},
    "source_passage": {"en": "a held-out passage", "ko": "따로 떼어 둔 구절"},
    "source_own": {"en": "your own text", "ko": "직접 쓴 글"},
    "own_text": {"en": "Your text (up to 3,000 characters)", "ko": "글 (3,000자까지)"},
    "no_heldout": {
        "en": "This model has no held-out text; pick another source.",
        "ko": "이 모델에는 따로 떼어 둔 글이 없습니다. 다른 글을 고르세요.",
    },
    "neuron_no_text": {
        "en": "Nothing to colour: the text is empty or has no character this model knows.",
        "ko": "칠할 글이 없습니다: 글이 비었거나 이 모델이 아는 글자가 없습니다.",
    },
    "neuron_layer": {"en": "Layer", "ko": "층"},
    "neuron_kind": {"en": "Read", "ko": "읽을 값"},
    "kind_cell": {"en": "memory tanh(c)", "ko": "기억 tanh(c)"},
    "kind_hidden": {"en": "output h", "ko": "출력 h"},
    "kind_short_cell": {"en": "c", "ko": "c"},
    "kind_short_hidden": {"en": "h", "ko": "h"},
    "neuron_unit": {"en": "Cell (0–{top})", "ko": "셀 (0–{top})"},
    "neuron_showing": {
        "en": "Layer {layer}, {kind}, cell {unit}:",
        "ko": "{layer}층, {kind}, {unit}번 셀:",
    },
    "activation_hover": {"en": "value {value:+.3f}", "ko": "값 {value:+.3f}"},
    "activation_low": {"en": "negative", "ko": "음수"},
    "activation_high": {"en": "positive", "ko": "양수"},
    "cell_example": {
        "en": "Where this cell follows **{feature}** most closely (r = {r:+.2f} over the "
        "held-out text):",
        "ko": "이 셀이 **{feature}** 을(를) 가장 잘 따라가는 곳 (따로 떼어 둔 글 전체에서 "
        "r = {r:+.2f}):",
    },
    "tracks_title": {"en": "Cells that track…", "ko": "이런 것을 따라가는 셀…"},
    "tracks_help": {
        "en": "Every cell's value was correlated with each feature over {chars:,} characters "
        "({source}); these are the strongest, either sign. Click one to colour the text above.",
        "ko": "{chars:,}자({source})에서 모든 셀의 값과 각 특징의 상관을 구했습니다. 부호와 "
        "상관없이 가장 강한 셀입니다. 누르면 위의 글을 그 셀로 칠합니다.",
    },
    "tracks_none": {
        "en": "This model has no held-out text, so its cells cannot be surveyed here.",
        "ko": "이 모델에는 따로 떼어 둔 글이 없어 셀을 조사할 수 없습니다.",
    },
    "open_cell": {
        "en": "L{layer} {kind}{unit} · r {r:+.2f}",
        "ko": "{layer}층 {kind}{unit} · r {r:+.2f}",
    },
    "feature_in_quotes": {"en": "inside quotes", "ko": "따옴표 안"},
    "feature_in_parentheses": {"en": "inside parentheses", "ko": "괄호 안"},
    "feature_line_position": {"en": "position in the line", "ko": "줄 안의 위치"},
    "feature_since_space": {"en": "characters since a space", "ko": "띄어쓰기 뒤 글자 수"},
    "feature_sentence_start": {"en": "a sentence is starting", "ko": "문장이 시작되는 곳"},
    "feature_vowel": {"en": "vowel or consonant", "ko": "모음 또는 자음"},
    "feature_newline_soon": {"en": "a line break is coming", "ko": "곧 줄이 바뀜"},
    "memory_title": {
        "en": "How far back does each model look?",
        "ko": "모델은 얼마나 먼 글자까지 볼까?",
    },
    "memory_help": {
        "en": "For many points in the held-out text, each earlier character was deleted in turn "
        "and the change in the next-character prediction measured (probability moved, 0–1). "
        "The curve is the average by distance; the memory span is the farthest distance still "
        "above {threshold:.0%} (dashed line).",
        "ko": "따로 떼어 둔 글의 여러 지점에서 앞선 글자를 하나씩 지우고, 다음 글자 예측이 얼마나 "
        "바뀌는지(옮겨 간 확률, 0–1) 쟀습니다. 곡선은 거리별 평균이고, 기억 범위는 평균이 "
        "{threshold:.0%} (점선) 이상인 가장 먼 거리입니다.",
    },
    "memory_x": {"en": "characters back", "ko": "몇 글자 앞"},
    "memory_y": {"en": "probability moved", "ko": "옮겨 간 확률"},
    "memory_model": {"en": "model", "ko": "모델"},
    "memory_span_line": {
        "en": "**{model}**: memory span {span} characters",
        "ko": "**{model}**: 기억 범위 {span}글자",
    },
    "influence_title": {
        "en": "Show what the prediction looked at",
        "ko": "예측이 본 글자 보기",
    },
    "influence_help": {
        "en": "Occlusion: each character of the context was deleted in turn and the prediction "
        "recomputed from the last {chars} characters. Darker means deleting it moves more of the "
        "probability. Hover for the figure.",
        "ko": "가리기: 문맥의 글자를 하나씩 지우고 마지막 {chars}글자로 예측을 다시 계산했습니다. "
        "진할수록 그 글자를 지웠을 때 확률이 많이 옮겨 갑니다. 마우스를 올리면 수치가 보입니다.",
    },
    "influence_hover": {"en": "deleting it moves {value:.1%}", "ko": "지우면 {value:.1%} 이동"},
    "influence_low": {"en": "no effect", "ko": "영향 없음"},
    "influence_high": {"en": "decisive", "ko": "결정적"},
    "generated": {"en": "Generated text", "ko": "생성된 글"},
    "legend": {
        "en": "Colour = probability the model gave each chosen character:",
        "ko": "색 = 모델이 고른 글자에 준 확률:",
    },
    "legend_low": {"en": "surprising", "ko": "뜻밖"},
    "legend_high": {"en": "expected", "ko": "예상대로"},
    "download": {"en": "Download text", "ko": "글 내려받기"},
    "inspector": {"en": "Step inspector", "ko": "단계 살펴보기"},
    "step": {"en": "Step (position in the generated text)", "ko": "단계 (생성된 글의 위치)"},
    "context": {"en": "Context so far", "ko": "지금까지의 문맥"},
    "chosen": {
        "en": "Chosen: {char}  (model {before:.1%} → sampled from {after:.1%})",
        "ko": "선택: {char}  (모델 {before:.1%} → 샘플링 확률 {after:.1%})",
    },
    "entropy_before": {"en": "Entropy before", "ko": "재가중 전 엔트로피"},
    "entropy_after": {"en": "Entropy after", "ko": "재가중 후 엔트로피"},
    "bits": {"en": "{value:.2f} bits", "ko": "{value:.2f} 비트"},
    "before": {"en": "model (T = 1)", "ko": "모델 (T = 1)"},
    "after": {"en": "after reweighting", "ko": "재가중 후"},
    "character": {"en": "next character", "ko": "다음 글자"},
    "probability": {"en": "probability", "ko": "확률"},
    "other": {"en": "other", "ko": "기타"},
    "try_t": {"en": "try T here ", "ko": "여기서 T 바꿔 보기 "},
    "try_t_help": {
        "en": "The slider under the chart reweights these bars in your browser, without "
        "generating again: q ∝ p^(1/T).",
        "ko": "차트 아래 슬라이더는 다시 생성하지 않고 브라우저에서 막대를 재가중합니다: "
        "q ∝ p^(1/T).",
    },
    "alternatives": {"en": "Alternatives it passed over", "ko": "고르지 않은 다른 후보"},
    "entropy_curve": {
        "en": "Entropy vs temperature at this step",
        "ko": "이 단계에서 온도에 따른 엔트로피",
    },
    "entropy_axis": {"en": "entropy (bits)", "ko": "엔트로피 (비트)"},
    "temperature_axis": {"en": "temperature", "ko": "온도"},
    "greedy_column": {"en": "greedy (argmax)", "ko": "탐욕적 (argmax)"},
    "sweep_title": {"en": "Temperature sweep", "ko": "온도 훑어보기"},
    "sweep_help": {
        "en": "One generation per temperature from 0.1 to 2.0, all with the same random numbers. "
        "Real words: share of generated words found in the training text. Repetition: share of "
        "word 4-grams that repeat an earlier one. Surprisal: mean bits of the chosen characters "
        "under the model (T = 1). Calibration: cross-entropy of the reweighted distribution on "
        "held-out text (nats/char). Grey lines: the lesson's 0.2, 0.5, 1.0, 1.2; dashed: your T.",
        "ko": "0.1부터 2.0까지 온도마다 같은 난수로 한 번씩 생성합니다. 실제 단어: 생성된 단어 중 "
        "학습 글에 있는 단어의 비율. 반복: 앞에 나온 단어 4-그램을 되풀이한 비율. 놀람도: 고른 "
        "글자의 모델(T = 1) 기준 평균 비트. 보정: 따로 떼어 둔 글에서 재가중 분포의 교차 "
        "엔트로피(nats/글자). 회색 선: 실습의 0.2, 0.5, 1.0, 1.2, 점선: 지금의 T.",
    },
    "sweep_real_words": {"en": "real words (share)", "ko": "실제 단어 (비율)"},
    "sweep_repetition": {"en": "repeated 4-grams (share)", "ko": "반복된 4-그램 (비율)"},
    "sweep_surprisal": {"en": "surprisal (bits/char)", "ko": "놀람도 (비트/글자)"},
    "sweep_calibration": {"en": "held-out cross-entropy (nats/char)", "ko": "보정: 교차 엔트로피"},
    "sweep_calibration_calibrated": {
        "en": "Held-out text is predicted best at **T = {t:g}**: this model is calibrated — "
        "its probabilities mean what they say.",
        "ko": "따로 떼어 둔 글은 **T = {t:g}** 에서 가장 잘 예측됩니다. 이 모델은 보정되어 "
        "있습니다 — 확률이 말하는 그대로입니다.",
    },
    "sweep_calibration_under": {
        "en": "Held-out text is predicted best at **T = {t:g}** (below 1): the model spreads its "
        "bets too widely, and sharpening helps.",
        "ko": "따로 떼어 둔 글은 **T = {t:g}** (1보다 작음)에서 가장 잘 예측됩니다. 모델이 "
        "확률을 너무 넓게 퍼뜨려서, 뾰족하게 하면 낫습니다.",
    },
    "sweep_calibration_over": {
        "en": "Held-out text is predicted best at **T = {t:g}** (above 1): the model is "
        "over-confident, and flattening helps.",
        "ko": "따로 떼어 둔 글은 **T = {t:g}** (1보다 큼)에서 가장 잘 예측됩니다. 모델이 "
        "지나치게 확신하므로, 평평하게 하면 낫습니다.",
    },
    "compare_input": {"en": "Temperatures, separated by commas", "ko": "쉼표로 구분한 온도들"},
    "compare_note": {
        "en": "All columns use the same random numbers, so where the texts part ways is "
        "due to temperature alone.",
        "ko": "모든 열이 같은 난수를 쓰므로, 글이 갈라지는 곳은 오직 온도 때문입니다.",
    },
    "mean_entropy": {"en": "mean entropy {value:.2f} bits", "ko": "평균 엔트로피 {value:.2f} 비트"},
    "bad_temperatures": {
        "en": "Ignored: {items} (each must be a number from {low} to {high}).",
        "ko": "무시함: {items} (각각 {low}–{high} 사이의 수여야 합니다).",
    },
    "query_notice": {
        "en": "The link had a value that was adjusted: {detail}",
        "ko": "링크의 값 일부를 조정했습니다: {detail}",
    },
    "share": {"en": "Share this exact text", "ko": "이 글 그대로 공유하기"},
    "share_help": {
        "en": "The page address now holds every setting; copy it from the browser.",
        "ko": "페이지 주소에 모든 설정이 담겨 있습니다. 브라우저에서 복사하세요.",
    },
    "click_to_inspect": {
        "en": "click a character to inspect that step",
        "ko": "글자를 누르면 그 단계를 살펴봅니다",
    },
    "timing": {"en": "generated in {ms:.0f} ms", "ko": "{ms:.0f} ms 만에 생성"},
    # training panel
    "train_intro": {
        "en": "Train your own model in the background. The page stays usable; "
        "closing it does not stop the run.",
        "ko": "백그라운드에서 직접 모델을 학습합니다. 페이지는 계속 쓸 수 있고, "
        "닫아도 학습은 멈추지 않습니다.",
    },
    "training_disabled": {
        "en": "Training is switched off on this deployment ({why}).",
        "ko": "이 배포에서는 학습이 꺼져 있습니다 ({why}).",
    },
    "recipe": {"en": "Recipe", "ko": "레시피"},
    "recipe_seed": {"en": "seed — the notebook's LSTM(128)", "ko": "seed — 노트북의 LSTM(128)"},
    "recipe_fast": {"en": "fast — every position is a target", "ko": "fast — 모든 위치를 예측"},
    "recipe_quick": {
        "en": "quick — readable within a minute",
        "ko": "quick — 1분 안에 읽을 만한 글",
    },
    "recipe_default": {"en": "the recipe's own", "ko": "레시피 기본값"},
    "units": {"en": "LSTM units", "ko": "LSTM 유닛 수"},
    "epochs": {"en": "Epochs (at most {cap})", "ko": "에포크 (최대 {cap})"},
    "corpus": {"en": "Corpus", "ko": "말뭉치"},
    "corpus_nietzsche": {"en": "Nietzsche (Beyond Good and Evil)", "ko": "니체 (선악의 저편)"},
    "corpus_upload": {"en": "Upload a .txt file", "ko": ".txt 파일 올리기"},
    "upload": {
        "en": "UTF-8 text in any language, at least 10,000 characters",
        "ko": "어떤 언어든 UTF-8 텍스트, 10,000자 이상",
    },
    "upload_needed": {"en": "Choose a .txt file first.", "ko": "먼저 .txt 파일을 고르세요."},
    "run_name": {"en": "Run name (optional)", "ko": "실행 이름 (선택)"},
    "train_button": {"en": "Train", "ko": "학습 시작"},
    "busy": {
        "en": "A training run is already in progress; it is shown below.",
        "ko": "이미 학습이 진행 중입니다. 아래에 표시됩니다.",
    },
    "started": {"en": "Started {name}.", "ko": "{name} 학습을 시작했습니다."},
    "run": {"en": "Run", "ko": "실행"},
    "status": {"en": "Status: {status}", "ko": "상태: {status}"},
    "epoch_progress": {
        "en": "Epoch {epoch} of {epochs}, batch {batch}",
        "ko": "에포크 {epoch}/{epochs}, 배치 {batch}",
    },
    "eta": {
        "en": "About {minutes:.0f} min {seconds:.0f} s left",
        "ko": "약 {minutes:.0f}분 {seconds:.0f}초 남음",
    },
    "cancel": {"en": "Cancel run", "ko": "학습 취소"},
    "cancelling": {"en": "Stopping at the next batch…", "ko": "다음 배치에서 멈춥니다…"},
    "resume": {"en": "Resume run", "ko": "학습 이어서 하기"},
    "interrupted": {
        "en": "The trainer stopped without finishing (killed?). Completed epochs "
        "are kept; resume to continue.",
        "ko": "학습 프로세스가 끝나지 않고 멈췄습니다 (강제 종료?). 완료된 에포크는 "
        "남아 있으니 이어서 학습하세요.",
    },
    "failed": {"en": "The run failed: {message}", "ko": "학습 실패: {message}"},
    "done": {
        "en": "Done. Its model is in the model selector as {model}.",
        "ko": "완료. 모델 선택에서 {model} 로 쓸 수 있습니다.",
    },
    "cancelled": {
        "en": "Cancelled after {epochs} completed epoch(s).",
        "ko": "완료된 에포크 {epochs}개 뒤에 취소되었습니다.",
    },
    "live_sample": {
        "en": "After {seconds:.0f} s of training (validation ≈ {loss:.2f} nats/char), T = 0.5:",
        "ko": "{seconds:.0f}초 학습 뒤 (검증 ≈ {loss:.2f} nats/글자), T = 0.5:",
    },
    "training_seconds": {"en": "seconds of training", "ko": "학습 시간 (초)"},
    "slice_loss": {"en": "validation loss (nats/char)", "ko": "검증 손실 (nats/글자)"},
    "earlier_samples": {"en": "Earlier samples", "ko": "이전 샘플"},
    "loss_chart": {"en": "Loss per epoch (nats/char)", "ko": "에포크별 손실 (nats/글자)"},
    "latest_samples": {"en": "Samples after epoch {epoch}", "ko": "에포크 {epoch} 뒤 샘플"},
    "runs_unusable": {
        "en": "Training runs cannot be stored here: {error}",
        "ko": "학습 기록을 저장할 수 없습니다: {error}",
    },
    "teacher": {"en": "Teacher", "ko": "교사"},
    "teacher_on": {
        "en": "Teacher mode: you can cancel, delete, pin or publish every run.",
        "ko": "교사 모드: 모든 학습을 취소, 삭제, 고정, 공개할 수 있습니다.",
    },
    "teacher_off": {"en": "Leave teacher mode", "ko": "교사 모드 끝내기"},
    "passphrase": {"en": "Teacher passphrase", "ko": "교사 암호"},
    "unlock": {"en": "Unlock", "ko": "잠금 해제"},
    "too_many_tries": {
        "en": "Too many wrong passphrases: try again later, from a new page.",
        "ko": "암호를 너무 많이 틀렸습니다. 잠시 뒤 새 페이지에서 다시 해 보세요.",
    },
    "wrong_passphrase": {"en": "That passphrase is not right.", "ko": "암호가 맞지 않습니다."},
    "upload_private": {
        "en": "A run on uploaded text is private: only you (and the teacher) see it, "
        "until you publish it.",
        "ko": "올린 글로 학습한 결과는 비공개입니다. "
        "공개하기 전까지 본인(과 교사)만 볼 수 있습니다.",
    },
    "queued": {
        "en": "Queued {name}: number {position} in line. It starts by itself, "
        "even if you close the page.",
        "ko": "{name} 대기열 {position}번째. 페이지를 닫아도 차례가 되면 시작합니다.",
    },
    "queue_position": {
        "en": "Waiting in the training queue: number {position} in line.",
        "ko": "학습 대기열에서 {position}번째로 기다리는 중입니다.",
    },
    "private_run": {
        "en": "This run is private to the person who started it.",
        "ko": "이 학습은 시작한 사람만 볼 수 있습니다.",
    },
    "epochs_done": {"en": "{epoch} of {epochs} epochs", "ko": "에포크 {epoch}/{epochs}"},
    "resumed": {
        "en": "Resume queued: number {position} in line.",
        "ko": "이어서 학습 예약: 대기열 {position}번째.",
    },
    "delete": {"en": "Delete run", "ko": "학습 삭제"},
    "pin": {"en": "Pin (keep)", "ko": "고정 (보관)"},
    "unpin": {"en": "Unpin", "ko": "고정 해제"},
    "publish": {"en": "Publish", "ko": "공개"},
    "unpublish": {"en": "Make private", "ko": "비공개로"},
    "no_runs": {"en": "No training runs yet.", "ko": "아직 학습 기록이 없습니다."},
}

STATUS = {
    "queued": {"en": "waiting in the queue", "ko": "대기 중"},
    "starting": {"en": "starting", "ko": "시작 중"},
    "running": {"en": "running", "ko": "진행 중"},
    "exporting": {"en": "saving the model", "ko": "모델 저장 중"},
    "done": {"en": "done", "ko": "완료"},
    "failed": {"en": "failed", "ko": "실패"},
    "cancelled": {"en": "cancelled", "ko": "취소됨"},
    "interrupted": {"en": "interrupted", "ko": "중단됨"},
    "unknown": {"en": "unknown", "ko": "알 수 없음"},
}


def text(lang: str, key: str, **fmt) -> str:
    entry = STRINGS[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**fmt) if fmt else template


def status_label(lang: str, status: str) -> str:
    return STATUS.get(status, STATUS["unknown"]).get(lang, status)
